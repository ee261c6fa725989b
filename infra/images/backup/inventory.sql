-- What a backup must bring back: every user table with its exact row count, columns,
-- indexes and constraints, plus the snapshot time. One JSON document on one line.
-- mcp-backup.sh runs it inside the same REPEATABLE READ snapshot that pg_dump exports, so
-- the counts describe exactly the rows in the dump; the restore drill runs it against the
-- restored scratch database and compares the two (backup/drill.ts).
SELECT json_build_object(
  'snapshotAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
  'snapshotEpoch', floor(extract(epoch FROM now()))::bigint,
  'database', current_database(),
  'serverVersion', current_setting('server_version'),
  'tables', coalesce((
    SELECT json_agg(t ORDER BY t.schema, t.name)
    FROM (
      SELECT
        n.nspname AS schema,
        c.relname AS name,
        -- Exact count through dynamic SQL without a helper function (the backup role
        -- may not create objects): query_to_xml runs the query as the current user.
        (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint AS rows,
        (SELECT coalesce(json_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END ORDER BY a.attnum), '[]'::json)
           FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
        (SELECT coalesce(json_agg(pg_get_indexdef(i.indexrelid) ORDER BY pg_get_indexdef(i.indexrelid)), '[]'::json)
           FROM pg_index i WHERE i.indrelid = c.oid) AS indexes,
        (SELECT coalesce(json_agg(k.conname || ' ' || pg_get_constraintdef(k.oid) ORDER BY k.conname), '[]'::json)
           FROM pg_constraint k WHERE k.conrelid = c.oid) AS constraints
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\_toast%'
        AND n.nspname NOT LIKE 'pg\_temp%'
        -- Tables owned by extensions are recreated by CREATE EXTENSION, not dumped.
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
    ) t
  ), '[]'::json)
);

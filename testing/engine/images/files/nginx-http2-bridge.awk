# Rewrites an nginx configuration that uses `http2 on;` (nginx >= 1.25.1) into the form
# nginx 1.22 reads: the directive is dropped and each ssl `listen` line of the same server
# block gets the `http2` flag (on plain-HTTP listeners 1.22's flag would mean HTTP/2 only,
# so those stay as they are). Relative `include` paths are made absolute against `dir`,
# the original file's directory, because nginx resolves them against the file it reads.
#
# Run with the file twice: pass 1 finds the server blocks that say `http2 on;`, pass 2 writes.

function code(s) {
  # What nginx parses: quoted strings and comments do not count as braces.
  gsub(/"[^"]*"/, "", s)
  gsub(/'[^']*'/, "", s)
  sub(/#.*/, "", s)
  return s
}
function count(s, ch,    n, i) {
  n = 0
  for (i = 1; i <= length(s); i++) if (substr(s, i, 1) == ch) n++
  return n
}
function track(line,    c) {
  c = code(line)
  opening = (c ~ /^[[:space:]]*server[[:space:]]*\{[[:space:]]*$/)
  if (opening) { servers++; current = servers; serverDepth = depth }
  depth += count(c, "{") - count(c, "}")
  if (!opening && current && depth <= serverDepth) { closing = 1 } else { closing = 0 }
  return c
}

FNR == 1 { depth = 0; current = 0; servers = 0 }

FNR == NR {
  c = track($0)
  if (current && c ~ /^[[:space:]]*http2[[:space:]]+on[[:space:]]*;[[:space:]]*$/) h2[current] = 1
  if (closing) current = 0
  next
}

{
  line = $0
  c = track($0)
  if (current && h2[current]) {
    if (c ~ /^[[:space:]]*http2[[:space:]]+on[[:space:]]*;[[:space:]]*$/) { if (closing) current = 0; next }
    if (c ~ /^[[:space:]]*listen[[:space:]]/ && c ~ /[[:space:]]ssl([[:space:]]|;)/ && c !~ /[[:space:]]http2([[:space:]]|;)/) sub(/;/, " http2;", line)
  }
  if (c ~ /^[[:space:]]*include[[:space:]]+[^\/[:space:]]/) sub(/include[[:space:]]+/, "include " dir "/", line)
  print line
  if (closing) current = 0
}

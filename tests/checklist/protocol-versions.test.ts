/**
 * FUN-MCP-02: the protocol revisions the stack may negotiate (checklist/thresholds.ts) are the
 * pinned SDK's own list, newest first. Upgrading @modelcontextprotocol/sdk changes that list, and
 * this test then fails until MCP_PROTOCOL_VERSIONS (the schema's choices, the default of
 * mcp:app.protocolVersions, what mcp-app-contract accepts) is reviewed against it.
 */
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/sdk/types.js";
import { MCP_PROTOCOL_VERSIONS } from "../../checklist/thresholds";

test("MCP_PROTOCOL_VERSIONS is the SDK's SUPPORTED_PROTOCOL_VERSIONS, in its order", () => {
  expect([...MCP_PROTOCOL_VERSIONS]).toEqual(SUPPORTED_PROTOCOL_VERSIONS);
});

test("its first entry is the SDK's latest revision (what mcp-app-contract requires the stack to accept)", () => {
  expect(MCP_PROTOCOL_VERSIONS[0]).toBe(LATEST_PROTOCOL_VERSION);
});

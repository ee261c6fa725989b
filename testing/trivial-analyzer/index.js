/**
 * A gRPC Analyzer that returns nothing, served the way @pulumi/policy serves a pack (the same
 * grpc-js, the same generated service, so requests are decoded exactly as the pack's are; same
 * message size limit) and started the same way (run-policy-pack in this directory, port on
 * stdout). Its Analyze throughput is this machine's ceiling for the pack's (bench/preflight.ts).
 */
"use strict";

const path = require("path");
const policyDir = path.dirname(require.resolve("@pulumi/policy/package.json"));
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [policyDir] }));
const analyzerrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
const pluginproto = require("@pulumi/pulumi/proto/plugin_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

const empty = (_call, cb) => cb(null, new analyzerproto.AnalyzeResponse());
const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
server.addService(analyzerrpc.AnalyzerService, {
  analyze: empty,
  analyzeStack: empty,
  remediate: (_call, cb) => cb(null, new analyzerproto.RemediateResponse()),
  getAnalyzerInfo: (_call, cb) => {
    const info = new analyzerproto.AnalyzerInfo();
    info.setName("trivial-analyzer");
    info.setVersion("0.0.0");
    cb(null, info);
  },
  getPluginInfo: (_call, cb) => cb(null, new pluginproto.PluginInfo()),
  configure: (_call, cb) => cb(null, new Empty()),
  configureStack: (_call, cb) => cb(null, new analyzerproto.AnalyzerStackConfigureResponse()),
});
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    console.error(err);
    process.exit(1);
  }
  console.log(String(port));
});

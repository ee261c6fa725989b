/**
 * The jest runner (jest.config.js `runner`): both cores for the suites that start their own
 * loopback servers, one at a time for the suites that start a Docker engine.
 *
 * Suites that start a private dockerd (testing/docker/engine.ts) must never overlap: a swarm's
 * gossip port is host-wide, and each engine brings its own containerd, shims and containers, whose
 * start-up and convergence timeouts are sized for one engine on the machine. Every other suite
 * owns what it starts (servers on kernel-chosen ports reserved across processes by local/ports.ts,
 * temp dirs from mkdtemp), so those run in parallel workers.
 *
 * Two lanes run side by side: the engine lane, serially in jest's own process (as the whole
 * suite ran before), and the parallel lane in maxWorkers - 1 workers, so together they use
 * maxWorkers cores. With no engine suite selected the parallel lane gets every worker; when jest
 * itself decides to run in band (one file, --runInBand, one core) everything runs serially.
 */
const { default: TestRunner } = require("jest-runner");

/** Suites that start a Docker engine (tests/testing/jest-lanes.test.ts proves the list complete). */
const ENGINE_SUITES = [/\/tests\/engine\//, /\/tests\/docker\//, /\/tests\/validate\/tunnel\.test\.ts$/];

function isEngineSuite(path) {
  return ENGINE_SUITES.some((re) => re.test(path.split("\\").join("/")));
}

/** Splits test paths into the two lanes and sizes them; pure, so the test can check it. */
function planLanes(paths, { maxWorkers, serial }) {
  const engine = paths.filter(isEngineSuite);
  const parallel = paths.filter((p) => !isEngineSuite(p));
  if (serial) return [{ name: "serial", paths, serial: true, workers: 1 }];
  const lanes = [];
  if (engine.length) lanes.push({ name: "engine", paths: engine, serial: true, workers: 1 });
  if (parallel.length) lanes.push({ name: "parallel", paths: parallel, serial: false, workers: engine.length ? Math.max(1, maxWorkers - 1) : maxWorkers });
  return lanes;
}

class LaneRunner {
  constructor(globalConfig, context) {
    this._globalConfig = globalConfig;
    this._context = context;
    this.supportsEventEmitters = true;
    this._listeners = [];
  }

  on(eventName, listener) {
    const entry = { eventName, listener, unsubscribers: [] };
    this._listeners.push(entry);
    return () => {
      for (const off of entry.unsubscribers) off();
      this._listeners = this._listeners.filter((e) => e !== entry);
    };
  }

  async runTests(tests, watcher, options) {
    const byPath = new Map(tests.map((t) => [t.path, t]));
    const lanes = planLanes(
      tests.map((t) => t.path),
      { maxWorkers: this._globalConfig.maxWorkers, serial: options.serial },
    );
    await Promise.all(
      lanes.map((lane) => {
        const runner = new TestRunner({ ...this._globalConfig, maxWorkers: lane.workers }, this._context);
        for (const entry of this._listeners) entry.unsubscribers.push(runner.on(entry.eventName, entry.listener));
        return runner.runTests(
          lane.paths.map((p) => byPath.get(p)),
          watcher,
          { ...options, serial: lane.serial },
        );
      }),
    );
  }
}

module.exports = LaneRunner;
module.exports.ENGINE_SUITES = ENGINE_SUITES;
module.exports.isEngineSuite = isEngineSuite;
module.exports.planLanes = planLanes;

/**
 * A policy that does not concern a resource says so through the server's notApplicable, which
 * throws an error the server only reads the reason of: it is made without stack frames (capturing
 * them on every Analyze call cost more than the rules), and the process's stack limit is left as it was.
 */
import { ALL_POLICIES } from "../../policies/pack";

test("notApplicable is thrown without frames, and the stack limit is restored", () => {
  const policy = ALL_POLICIES.find((p) => p.meta.kind === "resource" && p.meta.resourceTypes.length > 1)!;
  const validate = (policy.policy as unknown as { validateResource: (args: object, report: () => void) => void }).validateResource;
  const limit = Error.stackTraceLimit;
  let thrown: Error | undefined;
  try {
    validate(
      {
        type: "random:index/randomPassword:RandomPassword",
        name: "x",
        urn: "urn:pulumi:prod::p::random:index/randomPassword:RandomPassword::x",
        props: {},
        getConfig: () => ({}),
        notApplicable: (reason: string) => {
          throw new Error(reason);
        },
      },
      () => undefined,
    );
  } catch (e) {
    thrown = e as Error;
  }
  expect(thrown?.message).toMatch(/^applies to /);
  expect(thrown?.stack).not.toMatch(/\n\s+at /);
  expect(Error.stackTraceLimit).toBe(limit);
});

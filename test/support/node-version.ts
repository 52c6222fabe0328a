/**
 * The Node versions the kit supports (package.json `engines`) and what the tests do on an older one. The AWS SDK warns
 * once per process on Node below 22 (`NodeVersionSupportWarning` from @aws-sdk/core); the kit's scripts leave that
 * warning alone, since it is true. Only the test harness, when it runs on such a Node (a machine whose default is still
 * 20), turns it off for the processes it starts, so that their output assertions judge the kit's own lines. CI runs the
 * suite on 22 and 24, where the SDK prints nothing and the switch is never set.
 */
export const SUPPORTED_NODE_MAJOR = 22;

export const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/** The environment the harness adds for the SDK: empty on a supported Node. */
export const SDK_WARNING_ENV: Readonly<Record<string, string>> =
  NODE_MAJOR < SUPPORTED_NODE_MAJOR ? { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } : {};

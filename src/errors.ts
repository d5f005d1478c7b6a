/**
 * The error types of Ponte. Each has a stable `code`; a person never sees any of them (they get
 * a localised `common:sorry`), an operator sees the code and the message in the log.
 */

/** A configuration value is missing or wrong; the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'PONTE_CONFIG';
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
  }
}

/** A flow definition is inconsistent (unknown step, missing branch, loop without input). */
export class FlowDefinitionError extends Error {
  override readonly name = 'FlowDefinitionError';
  readonly code = 'PONTE_FLOW_DEFINITION';
}

/**
 * A platform answered a send with an error. `retryAfterSec` is set when the platform asked us
 * to slow down; `permanent` when sending the same message again cannot succeed.
 */
export class PlatformError extends Error {
  override readonly name = 'PlatformError';
  readonly code = 'PONTE_PLATFORM';
  constructor(
    message: string,
    readonly details: {
      platformCode?: number | string;
      retryAfterSec?: number;
      /** `channel` when the platform throttles the whole bot or number, not one chat. */
      scope?: 'channel' | 'address';
      permanent?: boolean;
      status?: number;
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** No answer came from a platform (connection refused, reset, timeout). Always worth a retry. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  readonly code = 'PONTE_NETWORK';
}

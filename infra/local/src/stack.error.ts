/** Why the local stack could not do what was asked. */
export enum StackErrorCode {
  MissingTool = 'missing_tool',
  InstallFailed = 'install_failed',
  PortTaken = 'port_taken',
  StartFailed = 'start_failed',
  HealthTimeout = 'health_timeout',
  CommandFailed = 'command_failed',
  RunsOnOtherPorts = 'runs_on_other_ports',
}

/** A launcher failure, with a message a person can act on ("Java 17 not found", "port 19092 is taken by pid 42"). */
export class StackError extends Error {
  constructor(
    readonly code: StackErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StackError';
  }
}

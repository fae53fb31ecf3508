import { exitCause } from './chaos-run';

describe('exitCause (why a process exited by itself, from its last output)', () => {
  it('takes the last error line, colours stripped', () => {
    const output = [
      '\u001b[32m[Nest] 12  - \u001b[39m LOG [NestFactory] Starting Nest application...',
      '\u001b[31m[Nest] 12  - \u001b[39m ERROR [ExceptionHandler] Error: connect ECONNREFUSED 127.0.0.1:5432',
      '    at TCPConnectWrap.afterConnect (node:net:1611:16)',
      "  code: \u001b[32m'ECONNREFUSED'\u001b[39m,",
      '}',
      'Node.js v20.20.2',
    ].join('\n');
    expect(exitCause(output)).toBe(
      '[Nest] 12  -  ERROR [ExceptionHandler] Error: connect ECONNREFUSED 127.0.0.1:5432',
    );
  });

  it('falls back on the last line, and on nothing', () => {
    expect(exitCause('starting\nbye\n')).toBe('bye');
    expect(exitCause('')).toBe('');
  });
});

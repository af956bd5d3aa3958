import { DaemonLogger, Redactor } from '../src/log';

describe('the logger', () => {
  it('never prints a registered secret, whoever logs it', () => {
    const lines: string[] = [];
    const r = new Redactor();
    const log = new DaemonLogger(r, 'debug', 'test', (l) => lines.push(l));
    r.add('hunter2');
    log.info('PASS %s', 'hunter2');
    log.child('plugin').debug('raw line: PASS :hunter2 and again hunter2');
    log.error('%o', { password: 'hunter2' });
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).not.toContain('hunter2');
    expect(lines[1]).toContain('***');
  });

  it('drops lines below its level', () => {
    const lines: string[] = [];
    const log = new DaemonLogger(new Redactor(), 'warn', 'test', (l) => lines.push(l));
    log.info('hidden');
    log.warn('shown');
    expect(lines).toHaveLength(1);
  });
});

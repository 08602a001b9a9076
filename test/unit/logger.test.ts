import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, logfmtLine, REDACTED, type LogFormat, type LogLevel } from '../../src/logger.ts';

/** A logger whose output lines are collected. */
function capture(
  format: LogFormat,
  level: LogLevel = 'info',
): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger(format, level, {
    write: (chunk: string) => {
      lines.push(...chunk.split('\n').filter((l) => l !== ''));
    },
  });
  return { logger, lines };
}

test('json: one JSON object per line with numeric level, msg, ISO time and the fields', () => {
  const { logger, lines } = capture('json');
  logger.info({ workload: 'Deployment/ns/web', causes: ['ConfigMap/a'] }, 'rolled');
  assert.equal(lines.length, 1);
  const record = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  assert.equal(record.level, 30);
  assert.equal(record.msg, 'rolled');
  assert.equal(record.workload, 'Deployment/ns/web');
  assert.deepEqual(record.causes, ['ConfigMap/a']);
  assert.ok(!Number.isNaN(Date.parse(String(record.time))));
});

test('json: child bindings come first, outermost first, then the fields and msg; an Error becomes type, message and stack', () => {
  const { logger, lines } = capture('json');
  const child = logger.child({ controller: 'mini-reloader' }).child({ workload: 'Deployment/ns/web' });
  child.info({ attempt: 2, skipped: undefined }, 'retrying');
  child.error(new RangeError('out of range'));
  const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(Object.keys(first ?? {}), ['level', 'time', 'controller', 'workload', 'attempt', 'msg']);
  assert.equal(first?.attempt, 2);
  assert.ok(second !== undefined);
  const err = second.err as Record<string, unknown>;
  assert.equal(second.level, 50);
  assert.equal(second.workload, 'Deployment/ns/web');
  assert.equal(err.type, 'RangeError');
  assert.equal(err.message, 'out of range');
  assert.match(String(err.stack), /^RangeError: out of range\n/);
  assert.equal('msg' in second, false, 'no msg when none is given');
});

test('the level filters records, in both formats', () => {
  for (const format of ['json', 'text'] as const) {
    const { logger, lines } = capture(format, 'warn');
    logger.info('hidden');
    logger.debug('hidden');
    logger.warn('shown');
    logger.error('shown too');
    assert.equal(lines.length, 2, format);
  }
  const { logger, lines } = capture('json', 'trace');
  logger.trace('very detailed');
  assert.equal(lines.length, 1);
});

test('ConfigMap and Secret values are redacted wherever a record carries them, in both formats', () => {
  for (const format of ['json', 'text'] as const) {
    const { logger, lines } = capture(format);
    logger.info({ data: { password: 'top-secret-1' } }, 'top level');
    logger.info(
      { secret: { metadata: { name: 's' }, data: { token: 'top-secret-2' }, stringData: { x: 'top-secret-3' } } },
      'one level down',
    );
    logger.info({ event: { object: { binaryData: { blob: 'top-secret-4' } } } }, 'two levels down');
    logger.child({ workload: 'w' }).warn({ cm: { data: { k: 'top-secret-5' } } }, 'from a child logger');
    assert.equal(lines.length, 4);
    const all = lines.join('\n');
    for (let i = 1; i <= 5; i++)
      assert.ok(!all.includes(`top-secret-${String(i)}`), `${format}: secret ${String(i)} leaked`);
    assert.ok(all.includes(REDACTED), format);
    assert.ok(all.includes('"s"') || all.includes('name'), `${format}: other fields stay`);
  }
});

test('text: logfmt lines like logrus, with quoting where needed', () => {
  const { logger, lines } = capture('text');
  logger.info(
    { workload: 'Deployment/ns/web', reason: 'a config it needs is missing', count: 3, empty: '' },
    'not rolled',
  );
  assert.equal(lines.length, 1);
  const line = lines[0] ?? '';
  assert.match(line, /^time=\S+ level=info msg="not rolled" /);
  assert.ok(line.includes(' workload=Deployment/ns/web'));
  assert.ok(line.includes(' reason="a config it needs is missing"'));
  assert.ok(line.includes(' count=3'));
  assert.ok(line.includes(' empty=""'));
});

test('text: errors show their message; objects are JSON; odd input passes through', () => {
  const { logger, lines } = capture('text');
  logger.error({ err: new Error('boom happened'), obj: { a: 1 } }, 'failed');
  const line = lines[0] ?? '';
  assert.ok(line.includes('level=error'));
  assert.ok(line.includes('err="boom happened"'));
  assert.ok(line.includes('obj="{\\"a\\":1}"'));
  assert.equal(logfmtLine('not json'), 'not json\n');
});

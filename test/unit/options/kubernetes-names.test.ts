import { test } from 'node:test';
import { assertEachParses, assertEachRejected } from './parse-helpers.ts';

test('each bad name is rejected with the flag, the value and what is allowed', () => {
  assertEachRejected([
    { argv: ['--namespaces=ok,Not_OK'], mentions: ['--namespaces', '"Not_OK"', 'namespace name', 'lower-case'] },
    { argv: ['--namespaces', 'a'.repeat(64)], mentions: ['--namespaces', 'a'.repeat(64), '63'] },
    { argv: ['--namespaces-to-ignore=-x'], mentions: ['--namespaces-to-ignore', '"-x"', 'namespace name'] },
    { argv: ['--enabled-label=not a label'], mentions: ['--enabled-label', '"not a label"', 'label name'] },
    { argv: [`--hash-annotation=example.com/${'h'.repeat(57)}`], mentions: ['--hash-annotation', '56', '-record'] },
    {
      argv: ['--auto-annotation=Bad_Prefix/auto'],
      mentions: ['--auto-annotation', '"Bad_Prefix/auto"', 'DNS subdomain'],
    },
    { argv: ['--ignore-annotation=x/'], mentions: ['--ignore-annotation', '"x/"', 'annotation name'] },
    {
      argv: [],
      env: { KUBERNETES_NAMESPACE: 'Team_A' },
      mentions: ['KUBERNETES_NAMESPACE', '"Team_A"', 'namespace name'],
    },
  ]);
});

test('a hash annotation whose "-record" name part is exactly 63 characters is accepted', () => {
  const name = `example.com/${'h'.repeat(56)}`;
  assertEachParses([{ argv: [`--hash-annotation=${name}`], expect: { hashAnnotation: name } }]);
});

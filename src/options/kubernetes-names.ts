import { commaList, distinct } from './csv-list.ts';
import { invalid, q, type ValueParser } from './value-parser.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const NAMESPACE_ALLOWED =
  "lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters";

/** Why `key` is not a valid label key or annotation name (`[prefix/]name`), or undefined when it is. */
export function qualifiedNameProblem(key: string, maxNameLength = 63): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return "has more than one '/'";
  const name = parts.length === 2 ? (parts[1] ?? '') : key;
  const prefix = parts.length === 2 ? parts[0] : undefined;
  if (prefix !== undefined && !DNS1123_SUBDOMAIN.test(prefix))
    return `has a prefix "${prefix}" that is not a DNS subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)`;
  if (!LABEL_NAME.test(name))
    return `has a name part "${name}" that is not 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  if (name.length > maxNameLength) return `has a name part longer than ${maxNameLength} characters`;
  return undefined;
}

export function qualifiedName(what: string, maxNameLength = 63, why = ''): ValueParser<string> {
  return (raw) => {
    const problem = qualifiedNameProblem(raw, maxNameLength);
    if (problem !== undefined)
      return invalid(
        `${q(raw)} is not a valid ${what}: it ${problem}${why} (allowed: [prefix/]name, e.g. example.com/${what === 'label name' ? 'enabled' : 'reload'})`,
      );
    return raw;
  };
}

export const annotationName = qualifiedName('annotation name');

export const namespaceName: ValueParser<string> = (raw) =>
  DNS1123_LABEL.test(raw) ? raw : invalid(`${q(raw)} is not a valid namespace name (allowed: ${NAMESPACE_ALLOWED})`);

export const namespaceList = distinct(commaList(namespaceName));

export const objectName: ValueParser<string> = (raw) =>
  DNS1123_SUBDOMAIN.test(raw)
    ? raw
    : invalid(`${q(raw)} is not a valid object name (lower-case letters, digits, '-' and '.', at most 253 characters)`);

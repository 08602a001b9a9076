import { isMap, isSet, text, type Values } from './helm-values.ts';
import type { MigrationInProgress } from './migration-in-progress.ts';

/** The last path segment of an image repository that is mini-reloader (or a mirror of it). */
const OWN_IMAGE = 'mini-reloader';

/** The image (kept only when it is mini-reloader's, e.g. a mirror) and the pull secrets, from image.* and global.*. */
export function mapImage(m: MigrationInProgress): void {
  const { values, at, put, note } = m;
  const registry = at('global.imageRegistry');
  const name = at('image.name');
  const ownImage: Values = isMap(values.image) ? values.image : {};
  if (isSet(registry)) {
    ownImage.repository = `${text(registry)}/${text(name)}`;
    note('image.repository', 'from global.imageRegistry and image.name');
  }
  delete ownImage.name;
  const repository = ownImage.repository;
  if (repository !== undefined && text(repository).split('/').at(-1) !== OWN_IMAGE) {
    delete ownImage.repository;
    delete ownImage.tag;
    delete ownImage.digest;
    note(
      'image',
      `image.repository ${text(repository)} is not mini-reloader: left out with image.tag and image.digest, so the chart's own image is used (point image.repository at your mirror of it if you have one)`,
    );
  } else if (isSet(ownImage.digest)) {
    note('image.digest', 'kept from image.digest');
  }
  if (Object.keys(ownImage).length > 0) values.image = ownImage;
  else delete values.image;
  const secrets = at('global.imagePullSecrets');
  if (Array.isArray(secrets) && secrets.length > 0) {
    const own: unknown[] = Array.isArray(values.imagePullSecrets) ? (values.imagePullSecrets as unknown[]) : [];
    const named = (secrets as unknown[]).map((s) => (typeof s === 'string' ? { name: s } : s));
    put('imagePullSecrets', [...own, ...named], 'from global.imagePullSecrets');
  }
}

import { mapAnnotations, type AnnotationKey } from '../../model/annotations.ts';
import { flag, type FlagDef } from '../flag-spec.ts';
import { annotationName } from '../kubernetes-names.ts';

type AnnotationFlags = { readonly [K in AnnotationKey as `${K}Annotation`]: FlagDef<string> };

/** One flag per entry of the annotation table, keyed `<key>Annotation`, in table order. */
export const ANNOTATION_NAME_FLAGS: AnnotationFlags = annotationFlags();

function annotationFlags(): AnnotationFlags {
  const defs = mapAnnotations((_, a) =>
    flag(
      {
        flag: a.flag,
        value: 'annotation',
        default: a.default,
        group: 'Annotation names (Stakater Reloader compatible)',
        description: a.description,
      },
      annotationName,
    ),
  );
  // Object.fromEntries types its keys as string; these are exactly the table's keys with the suffix.
  return Object.fromEntries(Object.entries(defs).map(([key, def]) => [`${key}Annotation`, def])) as AnnotationFlags;
}

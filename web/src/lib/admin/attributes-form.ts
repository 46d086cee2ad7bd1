import {
  categoryAttributesSchema,
  LIST_DATATYPES,
  type CategoryAttribute,
  type CategoryAttributeInput,
  type Open311Datatype,
} from '@gridline/core';

/** One answer of a list question, as the form edits it. */
export interface OptionRow {
  key: string;
  zh: string;
  en: string;
}

/** One question of a category (an Open311 attribute), as the form edits it. */
export interface AttributeRow {
  code: string;
  questionZh: string;
  questionEn: string;
  datatype: Open311Datatype;
  required: boolean;
  /** False: a notice shown to the reporter, with no answer. */
  variable: boolean;
  options: OptionRow[];
  /** Kept as it is: the form does not edit the answer's hint. */
  datatypeDescription: CategoryAttribute['datatypeDescription'];
}

export function toAttributeRows(
  attributes: readonly CategoryAttribute[] | undefined,
): AttributeRow[] {
  return [...(attributes ?? [])]
    .sort((a, b) => a.order - b.order)
    .map((attribute) => ({
      code: attribute.code,
      questionZh: attribute.description.zh,
      questionEn: attribute.description.en,
      datatype: attribute.datatype,
      required: attribute.required,
      variable: attribute.variable,
      options: attribute.values.map((value) => ({
        key: value.key,
        zh: value.name.zh,
        en: value.name.en,
      })),
      datatypeDescription: attribute.datatypeDescription,
    }));
}

export function emptyAttributeRow(): AttributeRow {
  return {
    code: '',
    questionZh: '',
    questionEn: '',
    datatype: 'string',
    required: false,
    variable: true,
    options: [],
    datatypeDescription: null,
  };
}

export const isListType = (datatype: Open311Datatype): boolean => LIST_DATATYPES.includes(datatype);

/**
 * The rows as the API takes them (in the order shown), or the problems by
 * row: `"<row>"` for the row, `"<row>.<field>"` for one of its fields, with
 * the schema's own words.
 */
export function parseAttributeRows(rows: readonly AttributeRow[]): {
  attributes: CategoryAttribute[] | null;
  problems: Map<string, string>;
} {
  const attributes: CategoryAttributeInput[] = rows.map((row, index) => ({
    code: row.code.trim(),
    variable: row.variable,
    datatype: row.datatype,
    required: row.variable && row.required,
    description: { zh: row.questionZh.trim(), en: row.questionEn.trim() },
    datatypeDescription: row.datatypeDescription,
    order: index + 1,
    values: isListType(row.datatype)
      ? row.options.map((option) => ({
          key: option.key.trim(),
          name: { zh: option.zh.trim(), en: option.en.trim() },
        }))
      : [],
  }));
  const parsed = categoryAttributesSchema.safeParse(attributes);
  const problems = new Map<string, string>();
  if (parsed.success) return { attributes: parsed.data, problems };
  for (const issue of parsed.error.issues) {
    const [row, field, ...rest] = issue.path;
    const key =
      typeof row === 'number'
        ? field === undefined
          ? String(row)
          : `${row}.${[field, ...rest].map(String).join('.')}`
        : 'list';
    if (!problems.has(key)) problems.set(key, issue.message);
  }
  return { attributes: null, problems };
}

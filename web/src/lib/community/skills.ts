import type { SkillDto } from '@gridline/core';
import { i18n } from '../i18n/index.ts';
import { communityApi } from './api.ts';

let catalogue: Promise<SkillDto[]> | null = null;

/** `GET /api/skills`, once per page (asked again after a failure). */
export function loadSkills(): Promise<SkillDto[]> {
  if (!catalogue) {
    catalogue = communityApi.skills().then((answer) => answer.skills);
    catalogue.catch(() => (catalogue = null));
  }
  return catalogue;
}

/** A skill's name in the current language; the code when the catalogue does not know it. */
export function skillName(code: string, skills: readonly SkillDto[]): string {
  const skill = skills.find((candidate) => candidate.code === code);
  return skill ? i18n.pick({ zh: skill.nameZh, en: skill.nameEn }) : code;
}

export const listSeparator = (): string => (i18n.lang === 'en' ? ', ' : '、');

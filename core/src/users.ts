import { z } from 'zod';

export const ROLES = [
  'RESIDENT',
  'VOLUNTEER',
  'GRID_MEMBER',
  'COMMUNITY_STAFF',
  'DISPATCHER',
  'ADMIN',
] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES: readonly Role[] = [
  'GRID_MEMBER',
  'COMMUNITY_STAFF',
  'DISPATCHER',
  'ADMIN',
];

export interface UserDto {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  regionId: number | null;
}

export const loginSchema = z.strictObject({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});

/** 13812345678 -> 138****5678; short numbers keep only the last two digits. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length >= 7) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  return `${'*'.repeat(Math.max(0, digits.length - 2))}${digits.slice(-2)}`;
}

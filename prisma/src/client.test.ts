import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { isUniqueViolation, preparedSql, statementNameOf } from './client.ts';

describe('prepared statements', () => {
  it('leaves unmarked SQL unnamed, so it is planned per call', () => {
    expect(statementNameOf('SELECT 1')).toBe('');
    expect(statementNameOf('SELECT 1 /* prepared:x */')).toBe('');
  });

  it('names a marked text after its mark and its content', () => {
    const sql = preparedSql('find-ticket', 'SELECT * FROM tickets WHERE id = $1');
    expect(sql.startsWith('/* prepared:find-ticket */ ')).toBe(true);
    const name = statementNameOf(sql);
    expect(name).toMatch(/^find-ticket-[0-9a-f]{12}$/);
    expect(statementNameOf(sql)).toBe(name);
  });

  it('never gives two different texts one name, even under one mark', () => {
    const first = statementNameOf(preparedSql('same', 'SELECT 1'));
    const second = statementNameOf(preparedSql('same', 'SELECT 2'));
    expect(first).not.toBe(second);
  });

  it('refuses a name the mark could not carry', () => {
    expect(() => preparedSql('Bad Name', 'SELECT 1')).toThrow(/Bad prepared statement name/);
    expect(() => preparedSql('x */ DROP', 'SELECT 1')).toThrow();
  });
});

describe('isUniqueViolation', () => {
  it('knows the driver error of the constraint, and no other', () => {
    const error = new pg.DatabaseError('duplicate key value', 0, 'error');
    error.code = '23505';
    error.constraint = 'idempotency_keys_pkey';
    expect(isUniqueViolation(error, 'idempotency_keys_pkey')).toBe(true);
    expect(isUniqueViolation(error, 'tickets_code_key')).toBe(false);
    error.code = '23503';
    expect(isUniqueViolation(error, 'idempotency_keys_pkey')).toBe(false);
    expect(
      isUniqueViolation(new Error('23505 idempotency_keys_pkey'), 'idempotency_keys_pkey'),
    ).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('server config: DATABASE_POOL_SIZE', () => {
  it('defaults to 10 connections and takes a whole number', () => {
    expect(loadConfig({}).databasePoolSize).toBe(10);
    expect(loadConfig({ DATABASE_POOL_SIZE: '' }).databasePoolSize).toBe(10);
    expect(loadConfig({ DATABASE_POOL_SIZE: '4' }).databasePoolSize).toBe(4);
    expect(loadConfig({ DATABASE_POOL_SIZE: '100' }).databasePoolSize).toBe(100);
  });

  it.each(['0', '-2', '2.5', 'ten', '101'])('refuses %j with the variable named', (raw) => {
    expect(() => loadConfig({ DATABASE_POOL_SIZE: raw })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: raw })).toThrow(/DATABASE_POOL_SIZE/);
  });
});

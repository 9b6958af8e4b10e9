import { describe, expect, it } from '@jest/globals';
import SQLite from 'better-sqlite3';
import { withStatementCache } from './sqlite.dialect.js';

describe('the SQLite statement cache', () => {
  it('prepares a statement once and reuses it for the same SQL', () => {
    const database = new SQLite(':memory:');
    let prepared = 0;
    const prepare = database.prepare.bind(database);
    database.prepare = (sql: string) => {
      prepared++;
      return prepare(sql);
    };
    const cached = withStatementCache(database);
    cached.prepare('create table t (x integer)').run([]);
    for (let i = 0; i < 5; i++) cached.prepare('insert into t (x) values (?)').run([i]);
    expect(cached.prepare('select count(*) as n from t').all([])).toEqual([{ n: 5 }]);
    expect(prepared).toBe(3);
    database.close();
  });

  it('forgets the least recently used statement beyond its size', () => {
    const database = new SQLite(':memory:');
    const cached = withStatementCache(database, 2);
    const one = cached.prepare('select 1');
    const two = cached.prepare('select 2');
    expect(cached.prepare('select 1')).toBe(one);
    cached.prepare('select 3');
    expect(cached.prepare('select 1')).toBe(one);
    expect(cached.prepare('select 2')).not.toBe(two);
    database.close();
  });

  it('never hands out a statement that is still iterating', () => {
    const database = new SQLite(':memory:');
    const cached = withStatementCache(database);
    const first = cached.prepare('select 1 as x union all select 2');
    const rows = first.iterate([]);
    rows.next();
    const second = cached.prepare('select 1 as x union all select 2');
    expect(second).not.toBe(first);
    expect(second.all([])).toEqual([{ x: 1 }, { x: 2 }]);
    rows.return?.();
    database.close();
  });
});

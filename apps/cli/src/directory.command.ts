import 'reflect-metadata';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { ConfigError, loadConfig, type AppConfig } from '@app/config';
import { CommandProcessor, ExecuteDirectoryCommand, type CommandRequest } from '@app/command-handling';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import {
  decideDirectory,
  directoryStream,
  DomainError,
  STORED_TYPES,
  type Actor,
  type DirectoryCommand,
  type DirectoryEventType,
  type DirectoryState,
  type MemberRow,
  type UnitRow,
} from '@app/proposals';
import { RuntimeModule } from '@app/runtime';
import { describe, headerOf, problemOfRefusal, readList, type DirectoryList, type ListKind, type Problem } from './directory/rows.js';
import { readTable } from './directory/table.js';
import { CsvSyntaxError } from './directory/csv.js';
import { declareCommand, helpOf, parseCommandLine, processIo, UsageError, type CommandIo } from './command-line.js';

/** `npm run directory`: its command line, declared once (the program's help and parsing, and directoryCommand's). */
export const directoryCommandLine = (): Command =>
  declareCommand(
    'directory',
    "import the office's list of units or members (.xlsx or .csv) into the directory",
    [
      'Imports the office\'s list of handling units or of members into the directory, as one ImportDirectory step of the office. The first row names the columns, in Chinese or English; the list is units or members by its columns (or --units / --members). Units: 单位代码/code, 全称/fullName, 简称/shortName, 类型/kind (政府部门, 街道镇, 人民团体, 事业单位, 企业, 其他, or government-department, township, …), 启用日期/activeFrom (optional, YYYY-MM-DD). Members: 委员编号/id, 姓名/name, 界别/sector, 小组/group (optional), 届别/terms (such as 6 or 5、6).',
      'Every row is checked first; if any is wrong each is reported by its line and nothing is written (exit 1). Rows the directory already holds as written change nothing: importing the same file again appends nothing. CSV files are UTF-8 (with or without BOM). Reads DATA_DIR, TENANT, EVENT_STORE, … like the service.',
    ],
    ['npm run -s directory -- import units.csv      # prints: units.csv: 3 units: 3 registered'],
  )
    .usage('import <file.xlsx|file.csv> [--units|--members] [--as SUB] [--tenant T]')
    .argument('<action>', 'import (the one action)')
    .argument('<file>', 'the list: .xlsx, or .csv in UTF-8')
    .option('--units', 'the file is a list of units, whatever its columns')
    .option('--members', 'the file is a list of members, whatever its columns')
    .option('--as <sub>', 'the office account the import is recorded as', 'directory-import')
    .option('--tenant <tenant>', 'the jurisdiction (default TENANT)');

export interface DirectoryOptions {
  readonly units?: boolean;
  readonly members?: boolean;
  readonly as: string;
  readonly tenant?: string;
}

export type DirectoryIo = CommandIo;

/** `npm run directory -- import <file>`: a spreadsheet of units or members into the directory. */
export async function directoryCommand(argv: string[], io: DirectoryIo = processIo): Promise<number> {
  if (argv[0] === 'help' || argv.includes('--help') || argv.includes('-h')) {
    io.out(helpOf(directoryCommandLine()));
    return 0;
  }
  try {
    const { options, operands } = parseCommandLine<DirectoryOptions>(directoryCommandLine(), argv);
    return await directory(options, operands, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n${helpOf(directoryCommandLine())}`);
    return 2;
  }
}

/** The import for options and operands (the action and the file) already parsed. */
export async function directory(options: DirectoryOptions, operands: readonly string[], io: DirectoryIo = processIo): Promise<number> {
  const parsed = checkedArguments(options, operands);
  const { file, kind: forced, as, tenant: tenantOption } = parsed;
  // `npm run` runs in the package's folder; a relative path is the one the operator typed, from where they were.
  const path = resolve(process.env.INIT_CWD ?? process.cwd(), file);

  let list: DirectoryList | undefined;
  const problems: Problem[] = [];
  try {
    const read = readList((await readTable(path)).rows, forced);
    list = read.list;
    problems.push(...read.problems);
  } catch (error) {
    if (error instanceof CsvSyntaxError) problems.push({ line: error.line, message: error.message.replace(/^line \d+: /, '') });
    else {
      io.err(`${file}: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
  }
  if (!list) return refuse(io, file, problems);

  let config: AppConfig;
  try {
    config = { ...(io.config ?? loadConfig()), inProcessProjections: false };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(error.message);
    return 2;
  }
  const logger = config.logLevel === 'error' ? (['error'] as const) : (['error', 'warn'] as const);
  const app = await NestFactory.createApplicationContext(RuntimeModule.forRoot({ config }), { logger: [...logger] });
  try {
    const tenant = tenantOption ?? config.defaultTenant;
    const processor = app.get(CommandProcessor);
    const store = app.get<EventStore>(EVENT_STORE);
    const office: Actor = { id: as, role: 'office' };
    const before = await processor.directory(tenant, true);

    problems.push(...checkRows(list, before.state, office, config.utcOffsetMinutes));
    if (problems.length > 0) return refuse(io, file, problems);

    const command: DirectoryCommand =
      list.kind === 'units'
        ? { type: 'ImportDirectory', data: { units: list.rows.map((r) => r.row) } }
        : { type: 'ImportDirectory', data: { members: list.rows.map((r) => r.row) } };
    const request: CommandRequest<DirectoryCommand> = { tenant, caller: office, command };
    let revision: number;
    try {
      ({ revision } = await app.get(CommandBus).execute(new ExecuteDirectoryCommand(request)));
    } catch (error) {
      // The directory changed between the check and the import: the domain's refusal names the row.
      if (error instanceof DomainError) return refuse(io, file, [problemOfRefusal(list, error)]);
      throw error;
    }
    const from = before.revision === 'no_stream' ? 0 : before.revision + 1;
    const appended = revision >= from ? await store.readStream(directoryStream(tenant), { fromRevision: from, maxCount: revision - from + 1 }) : [];
    io.out(`${file}: ${summary(list, appended.map((e) => e.type))}`);
    return 0;
  } finally {
    await app.close();
  }
}

function checkedArguments(options: DirectoryOptions, [action, file]: readonly string[]): { file: string; kind?: ListKind; as: string; tenant?: string } {
  if (action !== 'import') throw new UsageError(`unknown action "${action}": the one action is import`);
  if (options.units && options.members) throw new UsageError('--units or --members, not both');
  return { file, as: options.as, ...(options.units ? { kind: 'units' as const } : options.members ? { kind: 'members' as const } : {}), ...(options.tenant ? { tenant: options.tenant } : {}) };
}

function refuse(io: DirectoryIo, file: string, problems: readonly Problem[]): number {
  const sorted = [...problems].sort((a, b) => a.line - b.line);
  for (const p of sorted) io.err(`${file}: ${describe(p)}`);
  const lines = new Set(sorted.map((p) => p.line)).size;
  io.err(`${file}: nothing imported: ${lines === 1 ? '1 line has' : `${lines} lines have`} errors`);
  return 1;
}

/**
 * Every row decided by the domain's own rules, one at a time: the ImportDirectory command stops at its first bad row,
 * the office wants to hear of all of them at once. A row reads and writes its own entry only, so once the file's
 * repeated codes and ids are refused here (the domain would refuse them too) each row is decided against the
 * directory as it is: the same answer as "as the rows before it left it", without folding the rows in one by one
 * (each fold copies the directory, which made 5,000 rows take seconds). The command itself decides the whole list
 * again, on the directory as it then is.
 */
function checkRows(list: DirectoryList, directory: DirectoryState, actor: Actor, utcOffsetMinutes: number): Problem[] {
  const problems: Problem[] = [];
  const firstLine = new Map<string, number>();
  const ctx = { actor, occurredAt: new Date().toISOString(), utcOffsetMinutes };
  const field = list.kind === 'units' ? 'code' : 'id';
  for (const [i, entry] of list.rows.entries()) {
    const key = (list.kind === 'units' ? (entry.row as UnitRow).code : (entry.row as MemberRow).id).trim();
    const earlier = firstLine.get(key);
    if (earlier !== undefined) {
      problems.push({ line: entry.line, message: `${headerOf(list, field)} "${key}" is on line ${earlier} already` });
      continue;
    }
    firstLine.set(key, entry.line);
    const one: DirectoryCommand =
      list.kind === 'units'
        ? { type: 'ImportDirectory', data: { units: [entry.row as UnitRow] } }
        : { type: 'ImportDirectory', data: { members: [entry.row as MemberRow] } };
    try {
      decideDirectory(one, directory, ctx);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      problems.push(problemOfRefusal(list, error, i));
    }
  }
  return problems;
}

const TYPE_OF_STORED = new Map(Object.entries(STORED_TYPES).map(([type, stored]) => [stored as string, type]));

function summary(list: DirectoryList, storedTypes: readonly string[]): string {
  const count = (type: DirectoryEventType) => storedTypes.filter((t) => TYPE_OF_STORED.get(t) === type).length;
  const [registered, changed] = list.kind === 'units' ? [count('UnitRegistered'), count('UnitChanged')] : [count('MemberRegistered'), count('MemberChanged')];
  const rows = `${list.rows.length} ${list.kind === 'units' ? (list.rows.length === 1 ? 'unit' : 'units') : list.rows.length === 1 ? 'member' : 'members'}`;
  if (registered + changed === 0) return `${rows}: nothing to change`;
  const unchanged = list.rows.length - registered - changed;
  const parts: [number, string][] = [[registered, 'registered'], [changed, 'changed'], [unchanged, 'unchanged']];
  return `${rows}: ${parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`).join(', ')}`;
}

#!/usr/bin/env node
/**
 * The entry point. An ES module's static imports are all loaded and compiled
 * before its first line runs, so this one imports only the relaunch: the
 * commands are loaded after it, once, by the process that runs them, and not
 * also by the process that replaces itself.
 */
import { relaunchWithV8Flags } from './v8-flags.ts';

relaunchWithV8Flags();
await import('./commands.ts');

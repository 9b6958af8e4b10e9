#!/usr/bin/env node
// Fails on a broken relative link between the Markdown files: a missing file, or a `#anchor` that no
// heading of the target makes (GitHub's slug rules). External links (http:, mailto:) are not fetched.
// Plain Node on purpose: the rules fit in a page, and no Markdown parser is worth a dependency here.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** README.md, docs/**\/*.md and examples/**\/README.md (outside node_modules). */
function markdownFiles() {
  const files = ['README.md'].filter((file) => existsSync(join(root, file)));
  const walk = (dir, keep) => {
    if (!existsSync(join(root, dir))) return;
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(path, keep);
      else if (entry.isFile() && keep(entry.name)) files.push(path);
    }
  };
  walk('docs', (name) => name.endsWith('.md'));
  walk('examples', (name) => name === 'README.md');
  return files;
}

/** The text outside fenced code blocks, line by line, with each line's number. */
function proseLines(text) {
  const lines = [];
  let fence;
  text.split('\n').forEach((line, index) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (!fence || (marker[0] === fence[0] && marker.length >= fence.length))) {
      fence = fence ? undefined : marker;
      return;
    }
    if (!fence) lines.push({ line, number: index + 1 });
  });
  return lines;
}

/** GitHub's heading anchor: inline markup dropped, lower case, punctuation out, spaces to `-`. */
function slug(heading) {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor a file offers: its headings' slugs (repeats get -1, -2…) and explicit ids. */
function anchorsOf(text) {
  const anchors = new Set();
  const seen = new Map();
  for (const { line } of proseLines(text)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const base = slug(heading);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const match of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1]);
  }
  return anchors;
}

/** Relative link targets: inline links and images, and reference definitions. */
function linksOf(text) {
  const links = [];
  for (const { line, number } of proseLines(text)) {
    const prose = line.replace(/(`+)[^`]*?\1/g, ''); // code spans are not links
    for (const match of prose.matchAll(/!?\[[^\]]*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ target: match[1].replace(/^<|>$/g, ''), number });
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(prose);
    if (definition) links.push({ target: definition[1].replace(/^<|>$/g, ''), number });
  }
  return links.filter(({ target }) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && target !== '');
}

const anchorCache = new Map();
function anchorsIn(file) {
  if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(readFileSync(file, 'utf8')));
  return anchorCache.get(file);
}

const problems = [];
const files = markdownFiles();
for (const file of files) {
  const path = join(root, file);
  for (const { target, number } of linksOf(readFileSync(path, 'utf8'))) {
    const hash = target.indexOf('#');
    const filePart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const targetPath = filePart === '' ? path : resolve(dirname(path), filePart.split('?')[0]);
    const where = `${file}:${number}`;
    if (!targetPath.startsWith(root + '/') && targetPath !== root) {
      problems.push(`${where}: ${target} leaves the repository`);
    } else if (!existsSync(targetPath)) {
      problems.push(`${where}: ${target}: no such file`);
    } else if (
      anchor !== undefined &&
      targetPath.endsWith('.md') &&
      statSync(targetPath).isFile()
    ) {
      if (!anchorsIn(targetPath).has(anchor)) {
        problems.push(
          `${where}: ${target}: ${relative(root, targetPath)} has no heading #${anchor}`,
        );
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`Broken links in the Markdown files:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`Links checked: ${files.length} Markdown files, no broken relative link.`);

/**
 * The README's ways to get `confab`, run as written against confabd on a private bus: the alias of
 * the README's command-line block, `npx --no confab …` inside the checkout, and the link that
 * docs/install.md's `npm run install-user` puts in ~/.local/bin. The commands are read from the docs,
 * so docs and test cannot drift; each must give what the CLI itself prints.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, run } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { tempDir } from '../fixtures/processes';

/** The lines of the first ```sh block after `heading` in a markdown file of the repository. */
function shBlock(file: string, heading: string): string[] {
  const text = `\n${readFileSync(join(REPO_ROOT, file), 'utf8')}`;
  const from = text.indexOf(`\n${heading}\n`);
  if (from < 0) throw new Error(`${file} has no heading '${heading}'`);
  const block = /```sh\n([\s\S]*?)```/.exec(text.slice(from));
  if (!block) throw new Error(`${file} has no sh block after '${heading}'`);
  return block[1].split('\n');
}

function line(lines: string[], start: RegExp, where: string): string {
  const found = lines.find((l) => start.test(l));
  if (!found) throw new Error(`no line like ${String(start)} in ${where}`);
  return found;
}

/** Runs a script with bash in the checkout, as a user types it there ($0 is the checkout). */
function bash(script: string, env: NodeJS.ProcessEnv) {
  return run('bash', ['-c', `cd "$0" || exit 9\n${script}`, REPO_ROOT], env);
}

const README_CLI = shBlock('README.md', '## Chat from the command line');
const PROTOCOLS_IRC = line(README_CLI, /^confab protocols irc\b/, "README's command-line block");

describe("the README's confab", () => {
  const { d } = withDaemon();
  let expected: string;
  beforeAll(async () => {
    const direct = await d.cli(['protocols', 'irc']);
    expect(direct).toMatchObject({ code: 0, stderr: '' });
    expected = direct.stdout;
    expect(expected).toMatch(/password\s+string\s+secret/);
  });

  it('is the alias of the command-line block', async () => {
    const alias = line(README_CLI, /^alias confab=/, "README's command-line block");
    // a script's bash expands aliases only when told to, and only on lines read after the alias
    const r = await bash(`shopt -s expand_aliases\n${alias}\n${PROTOCOLS_IRC}\n`, d.env());
    expect(r).toEqual({ code: 0, stdout: expected, stderr: '' });
  });

  it("is the checkout's own with npx, never the registry's", async () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const npx = /`(npx [^`]*\bconfab) …`/.exec(readme)?.[1];
    expect(npx).toBe('npx --no confab');
    const r = await bash(PROTOCOLS_IRC.replace(/^confab/, npx!), d.env());
    expect(r).toMatchObject({ code: 0, stdout: expected });
  });

  it('is on the PATH after npm run install-user', async () => {
    const install = line(shBlock('docs/install.md', '# Installing confabd for your user'), /^npm run install-user\b/, 'docs/install.md');
    const home = tempDir('confab-home-').path;
    const env = d.env({ HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local', 'share') });
    const r = await bash(install, env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`linked ${join(home, '.local', 'bin', 'confab')}`);
    // ~/.local/bin on the PATH, as Debian's ~/.profile puts it at login
    const onPath = { ...env, PATH: `${join(home, '.local', 'bin')}:${env.PATH ?? ''}` };
    expect(await bash(PROTOCOLS_IRC, onPath)).toEqual({ code: 0, stdout: expected, stderr: '' });
    expect((await bash('npm run install-user -- --uninstall', env)).stdout).toContain(`removed ${join(home, '.local', 'bin', 'confab')}`);
  });
});

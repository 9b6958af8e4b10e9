/**
 * Reads a password for a command-line tool, never from its arguments (they end up in shell
 * history and `ps`): from standard input when it is piped (one line), or typed at a prompt
 * that does not echo, twice.
 */
export async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readPipedLine();
  const password = await promptHidden('Password: ');
  if ((await promptHidden('Password again: ')) !== password) {
    throw new Error('The two passwords differ.');
  }
  return password;
}

async function readPipedLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // `echo "$PASSWORD" | …` ends with a newline that is not part of the password.
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (text === '') throw new Error('No password on standard input.');
  if (/[\r\n]/.test(text)) {
    throw new Error('Standard input must hold the password alone, on one line.');
  }
  return text;
}

/** Raw mode: every key comes to us and nothing is echoed; Enter ends, Ctrl-C cancels. */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let typed: string[] = [];
    const finish = (outcome: () => void) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      outcome();
    };
    const onData = (chunk: string) => {
      for (const character of chunk) {
        if (character === '\r' || character === '\n') {
          return finish(() => resolve(typed.join('')));
        }
        if (character === '\u0003' || character === '\u0004') {
          return finish(() => reject(new Error('Cancelled.')));
        }
        if (character === '\u007f' || character === '\b') typed = typed.slice(0, -1);
        else typed.push(character);
      }
    };
    process.stderr.write(question);
    input.setEncoding('utf8');
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}

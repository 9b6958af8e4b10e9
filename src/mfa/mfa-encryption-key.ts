import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import { MfaRepository } from './mfa.repository.js';
import { SecretBox } from './secret-box.js';

export const MFA_KEY_FILE_NAME = 'mfa-encryption.key';

/**
 * The key that seals TOTP secrets: MFA_ENCRYPTION_KEY, or outside production one generated on
 * first need and kept in its own owner-only file in DATA_DIR — never in the database beside the
 * ciphertexts, so a database dump alone reveals no secret. Production requires the variable
 * (instances on several machines must share it) once any user has MFA.
 */
@Injectable()
export class MfaEncryptionKey implements OnModuleInit {
  private readonly logger = new Logger('Mfa');
  private box: Promise<SecretBox> | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly mfa: MfaRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.mfa.encryptionKey || this.config.environment !== 'production') return;
    if ((await this.mfa.countEnabled()) > 0) {
      throw new Error(
        'MFA_ENCRYPTION_KEY is required in production once any user has two-factor login on',
      );
    }
    this.logger.warn('MFA_ENCRYPTION_KEY is not set: two-factor enrolment is off');
  }

  /** The sealing box, or a 503 in production without MFA_ENCRYPTION_KEY. */
  secretBox(): Promise<SecretBox> {
    if (this.config.mfa.encryptionKey) {
      this.box ??= Promise.resolve(new SecretBox(this.config.mfa.encryptionKey));
    } else if (this.config.environment === 'production') {
      throw new ProblemException(
        'mfaNotConfigured',
        'Two-factor login is not configured on this server (MFA_ENCRYPTION_KEY).',
      );
    } else {
      this.box ??= this.fromFile().catch((error: unknown) => {
        this.box = undefined;
        throw error;
      });
    }
    return this.box;
  }

  private async fromFile(): Promise<SecretBox> {
    const path = join(this.config.dataDir, MFA_KEY_FILE_NAME);
    await mkdir(this.config.dataDir, { recursive: true, mode: 0o700 });
    try {
      // 'wx': of two processes starting together, one writes and the other reads its key.
      await writeFile(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      this.logger.log(`Generated the MFA encryption key in ${path}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const key = Buffer.from((await readFile(path, 'utf8')).trim(), 'hex');
    return new SecretBox(key);
  }
}

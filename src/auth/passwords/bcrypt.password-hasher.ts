import { randomBytes } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import bcrypt from 'bcryptjs';
import { AppConfig } from '../../config/app-config.js';
import { PasswordHasher } from './password-hasher.js';
import { PASSWORD_MAX_BYTES, utf8Length } from './password-policy.js';

const CURRENT_PREFIX = '$2b$';

/** bcryptjs, with the dummy hash that keeps unknown users as slow as known ones. */
@Injectable()
export class BcryptPasswordHasher extends PasswordHasher implements OnModuleInit {
  private dummyHash = '';

  constructor(private readonly config: AppConfig) {
    super();
  }

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hash(randomBytes(18).toString('base64'));
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.bcryptCost);
  }

  async verify(password: string, hash: string | undefined): Promise<boolean> {
    // Never let bcrypt's 72-byte truncation make a longer password match; still spend the time.
    const usable = hash !== undefined && utf8Length(password) <= PASSWORD_MAX_BYTES;
    const matches = await bcrypt.compare(password, usable ? hash : this.dummyHash);
    return usable && matches;
  }

  needsRehash(hash: string): boolean {
    return !hash.startsWith(CURRENT_PREFIX) || bcrypt.getRounds(hash) !== this.config.bcryptCost;
  }
}

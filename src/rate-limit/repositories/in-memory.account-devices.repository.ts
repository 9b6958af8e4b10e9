import { AccountDevicesRepository, type AccountDevices } from '../account-devices.repository.js';

const NONE: AccountDevices = { generation: 0, minted: 0 };

export class InMemoryAccountDevicesRepository extends AccountDevicesRepository {
  private readonly accounts = new Map<string, AccountDevices>();

  find(userId: string): Promise<AccountDevices> {
    return Promise.resolve(this.accounts.get(userId) ?? NONE);
  }

  mint(userId: string): Promise<AccountDevices> {
    const current = this.accounts.get(userId) ?? NONE;
    const next = { ...current, minted: current.minted + 1 };
    this.accounts.set(userId, next);
    return Promise.resolve(next);
  }

  advance(userId: string): Promise<void> {
    const current = this.accounts.get(userId) ?? NONE;
    this.accounts.set(userId, { ...current, generation: current.generation + 1 });
    return Promise.resolve();
  }
}

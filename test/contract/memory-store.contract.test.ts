import { createInMemoryStore } from '../support/in-memory-store.js';
import { describeRepositoryContract } from './repositories-contract.js';

describeRepositoryContract('in-memory', async (clock) => createInMemoryStore({ clock }));

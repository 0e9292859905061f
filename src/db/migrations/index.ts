/** Every migration, in order. A new one is written by `npm run migration:create` and added here. */
import { Migration20261128040708_initial } from './Migration20261128040708_initial.js';

export const migrationsList = [{ name: 'Migration20261128040708_initial', class: Migration20261128040708_initial }];

/** Every migration, in order. A new one is written by `npm run migration:create <name>` and added here. */
import { Migration20261128040708_initial } from './Migration20261128040708_initial.js';
import { Migration20261128043735_deposit_pipeline } from './Migration20261128043735_deposit_pipeline.js';
import { Migration20261128045605_status_sync } from './Migration20261128045605_status_sync.js';
import { Migration20261128064550_alerts_and_follow_ups } from './Migration20261128064550_alerts_and_follow_ups.js';
import { Migration20261130060000_lifecycle } from './Migration20261130060000_lifecycle.js';
import { Migration20261130070000_access } from './Migration20261130070000_access.js';
import { Migration20261130120000_deposit_modes } from './Migration20261130120000_deposit_modes.js';
import { Migration20261130130000_batches } from './Migration20261130130000_batches.js';
import { Migration20261130140000_contracts } from './Migration20261130140000_contracts.js';
import { Migration20261130150000_validations } from './Migration20261130150000_validations.js';
import { Migration20261130160000_works_documents } from './Migration20261130160000_works_documents.js';
import { Migration20261130170000_constraint_names } from './Migration20261130170000_constraint_names.js';
import { Migration20261207120000_sync_health } from './Migration20261207120000_sync_health.js';
import { Migration20261207160000_integration_search } from './Migration20261207160000_integration_search.js';
import { Migration20261207190000_send_once_versions } from './Migration20261207190000_send_once_versions.js';
import { Migration20261207191000_refused_by_validator } from './Migration20261207191000_refused_by_validator.js';
import { Migration20261207200000_event_sequence } from './Migration20261207200000_event_sequence.js';

export const migrationsList = [
  { name: 'Migration20261128040708_initial', class: Migration20261128040708_initial },
  { name: 'Migration20261128043735_deposit_pipeline', class: Migration20261128043735_deposit_pipeline },
  { name: 'Migration20261128045605_status_sync', class: Migration20261128045605_status_sync },
  { name: 'Migration20261128064550_alerts_and_follow_ups', class: Migration20261128064550_alerts_and_follow_ups },
  { name: 'Migration20261130060000_lifecycle', class: Migration20261130060000_lifecycle },
  { name: 'Migration20261130070000_access', class: Migration20261130070000_access },
  { name: 'Migration20261130120000_deposit_modes', class: Migration20261130120000_deposit_modes },
  { name: 'Migration20261130130000_batches', class: Migration20261130130000_batches },
  { name: 'Migration20261130140000_contracts', class: Migration20261130140000_contracts },
  { name: 'Migration20261130150000_validations', class: Migration20261130150000_validations },
  { name: 'Migration20261130160000_works_documents', class: Migration20261130160000_works_documents },
  { name: 'Migration20261130170000_constraint_names', class: Migration20261130170000_constraint_names },
  { name: 'Migration20261207120000_sync_health', class: Migration20261207120000_sync_health },
  { name: 'Migration20261207160000_integration_search', class: Migration20261207160000_integration_search },
  { name: 'Migration20261207190000_send_once_versions', class: Migration20261207190000_send_once_versions },
  { name: 'Migration20261207191000_refused_by_validator', class: Migration20261207191000_refused_by_validator },
  { name: 'Migration20261207200000_event_sequence', class: Migration20261207200000_event_sequence },
];

/**
 * `npm run rules:install -- [FOLDER | URL]`: installs the official EN 16931 validation rules (release 1.3.16) into
 * RULES_DIR (default `.rules`), from a release folder or a ZIP archive's URL (default RULES_SOURCE, the release
 * archive on GitHub). Each stylesheet is checked against its pinned SHA-256, copied, and compiled once (cached by its
 * digest). Exit 0 installed, 1 refused (not the pinned files, nothing found), 2 could not run.
 */
import { ConfigError, loadRulesConfig } from '../src/config.js';
import { installRules, RulesInstallError } from '../src/invoices/einvoice/en16931/rules-store.js';

try {
  const config = loadRulesConfig();
  const source = process.argv[2] ?? config.source;
  console.log(`Installing the EN 16931 rules from ${source} into ${config.dir}`);
  const rules = await installRules(source, config.dir, (line) => console.log(`  ${line}`));
  console.log(`EN 16931 rules ${rules.release} installed in ${config.dir}: the relay checks invoices against them.`);
} catch (error) {
  if (error instanceof RulesInstallError || error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  console.error(error);
  process.exit(2);
}

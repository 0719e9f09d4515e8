'use strict';
// One JSON line per finished spec, for compare.mjs.
const fs = require('fs');
const file = process.env.PARSE_SPEC_RESULTS;
if (file) {
  jasmine.getEnv().addReporter({
    specDone(result) {
      const line = {
        name: result.fullName,
        status: result.status,
        failures: result.failedExpectations.map(f => f.message.slice(0, 2000)),
      };
      fs.appendFileSync(file, JSON.stringify(line) + '\n');
    },
  });
}

// Prints one plain closing line, "tests: N passed, N failed, N skipped", after Jest's own summary.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests, numFailedTestSuites, numRuntimeErrorTestSuites } = results;
    const broken = numRuntimeErrorTestSuites > 0 ? ` (${numFailedTestSuites} suites failed to run)` : '';
    process.stdout.write(`\ntests: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped${broken}\n`);
  }
}
module.exports = SummaryReporter;

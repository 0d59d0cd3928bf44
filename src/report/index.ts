// The report stage: eval results → Markdown and HTML reports with tables, SVG plots and samples.
export { reportKind } from './kind.js';
export { publishReport, reportFolderName } from './publish.js';
export { writeReport, sampleSheets, REPORT_FILES } from './build.js';
export { makePlots } from './plots.js';
export type { Plot } from './plots.js';
export { reportMarkdown, reportHtml, reportCsv } from './write.js';
export { fractionOf, sweepText } from './model.js';
export type { ReportAudit, ReportData, ReportRow, Provenance } from './model.js';

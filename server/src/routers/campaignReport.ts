/** The campaign report's reads and "Resend to failed" (merged into the campaigns router). */
export const campaignReportProcedures = {};

/** The contact log's columns, as a file written for `import` begins (docs/formats.md). */
export const HEADER =
  'contact_ref,utr,partners,contact_type,contact_name,channel,direction,enquiry_date,authentication,operator_pid,subject,action_taken,general_notes';

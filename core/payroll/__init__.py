"""Payroll: the board where pay weeks are reviewed, approved and published to Procore Timesheets."""

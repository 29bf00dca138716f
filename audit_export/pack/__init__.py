"""The evidence pack: a deterministic .zip of what an auditor needs for one period (the contract is
../shared/formats/history-import.md, "Evidence pack")."""

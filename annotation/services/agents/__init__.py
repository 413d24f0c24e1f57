"""Agents in the loop (DESIGN.md, "Agents and suggestions"): the registry of a project's
agents (registry), training runs as jobs (training), suggestions computed ahead for open
documents (suggesting), and people's accept/reject decisions (decisions)."""

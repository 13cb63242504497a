/** A Dockerfile read into its stages: enough structure to check how the images are built. */
export interface Instruction {
  keyword: string;
  args: string;
}
export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** Parses instructions (joining `\` continuations, dropping comments) and groups them by stage. */
export function parseDockerfile(text: string): { preamble: Instruction[]; stages: Stage[] } {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!pending && (line.trim().startsWith('#') || line.trim() === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push((pending + line).trim());
    pending = '';
  }
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === 'FROM') {
      const [, from = '', name = ''] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args) ?? [];
      stages.push({ name: name || String(stages.length), from, instructions: [] });
    } else if (stages.length === 0) {
      preamble.push(instruction);
    } else {
      stages[stages.length - 1]!.instructions.push(instruction);
    }
  }
  return { preamble, stages };
}

/** The stages a stage builds on: its FROM (if a stage) and every COPY --from. */
export function stageInputs(stage: Stage): string[] {
  const inputs = [stage.from];
  for (const instruction of stage.instructions)
    if (instruction.keyword === 'COPY') {
      const from = /--from=(\S+)/.exec(instruction.args);
      if (from) inputs.push(from[1]!);
    }
  return inputs;
}

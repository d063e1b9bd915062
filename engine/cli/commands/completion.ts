import { WeftError } from '../../errors.js';
import type { Command } from '../command.js';
import { SHELLS } from '../complete.js';
import { EXIT } from '../exit-codes.js';

// Each script asks weft for the candidates (`weft __complete WORD…`): one place knows the
// commands, flags, pipelines and tasks. With no candidate, bash and zsh fall back to file names.
const SCRIPTS: Record<(typeof SHELLS)[number], string> = {
  bash: `# weft completion for bash: eval "$(weft completion bash)" in ~/.bashrc
_weft_complete() {
  local IFS=$'\\n'
  COMPREPLY=($(weft __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _weft_complete weft`,
  zsh: `#compdef weft
# weft completion for zsh: eval "$(weft completion zsh)" in ~/.zshrc (after compinit)
_weft_complete() {
  local -a candidates
  candidates=("\${(@f)$(weft __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if (( \${#candidates[@]} )) && [[ -n "\${candidates[1]}" ]]; then
    compadd -- "\${candidates[@]}"
  else
    _files
  fi
}
compdef _weft_complete weft`,
  fish: `# weft completion for fish: weft completion fish > ~/.config/fish/completions/weft.fish
function __weft_complete
    set -l words (commandline -opc) (commandline -ct)
    weft __complete $words[2..-1] 2>/dev/null
end
complete -c weft -f -a '(__weft_complete)'`,
};

export const completion: Command = {
  name: 'completion',
  summary: 'a shell completion script: weft completion bash|zsh|fish',
  usage: `Usage: weft completion bash|zsh|fish

Prints a script that completes weft's commands, flags and their values, pipeline names, task
names (after the pipeline of weft run), --var input names and kept run ids:
  bash:  eval "$(weft completion bash)"                  (in ~/.bashrc)
  zsh:   eval "$(weft completion zsh)"                   (in ~/.zshrc, after compinit)
  fish:  weft completion fish > ~/.config/fish/completions/weft.fish`,
  flags: {},
  async run({ positionals }, { print }) {
    const shell = positionals[0];
    if (positionals.length !== 1 || !(SHELLS as readonly string[]).includes(shell!)) {
      throw new WeftError('USAGE', `weft completion takes one shell: ${SHELLS.join(', ')}`);
    }
    print.out(SCRIPTS[shell as (typeof SHELLS)[number]]);
    return EXIT.ok;
  },
};

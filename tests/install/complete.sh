#!/bin/bash
# complete.sh COMPLETION_FILE LINE: what Tab offers at the end of LINE, one
# candidate per line, as bash-completion would compute it: bash_completion
# is loaded, then COMPLETION_FILE (or, when it is "-", the file that
# bash-completion's own loader finds for the command); the function that
# `complete -p` names for the command is called with COMP_WORDS, COMP_CWORD,
# COMP_LINE and COMP_POINT set as readline sets them (words split at blanks).
# The commands are found in PATH.
file=$1 line=$2
source /usr/share/bash-completion/bash_completion || exit 1
read -ra COMP_WORDS <<< "$line"
[[ $line == *" " ]] && COMP_WORDS+=("")
cmd=${COMP_WORDS[0]}
if [ "$file" = - ]; then
	_completion_loader "$cmd"
else
	source "$file"
fi
spec=$(complete -p "$cmd" 2>/dev/null) || { echo "no completion for $cmd" >&2; exit 1; }
[[ $spec =~ -F\ ([^ ]+) ]] || { echo "not a function: $spec" >&2; exit 1; }
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=$line
COMP_POINT=${#line}
COMPREPLY=()
"${BASH_REMATCH[1]}" "$cmd" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"

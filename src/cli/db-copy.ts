import type { Command } from 'commander'

/** `gatehouse db copy`: move an instance between engines. */
export function registerDbCopyCommand(program: Command): void {
  void program
}

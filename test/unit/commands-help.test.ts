// oclif wraps help text to the terminal's width: a hard line break inside a paragraph leaves a ragged edge in
// `chat start --help` (a short line in the middle of a paragraph). Paragraphs are one line each.
import {expect} from 'chai'

import LogTail from '../../src/commands/log/tail.js'
import RoomInvite from '../../src/commands/room/invite.js'
import Send from '../../src/commands/send.js'
import Start from '../../src/commands/start.js'

describe('command help texts', () => {
  for (const command of [Start, Send, LogTail, RoomInvite]) {
    it(`${command.name}: a summary line, and paragraphs without line breaks inside`, () => {
      expect(command.summary ?? '').to.match(/^\S.*\S$/)
      expect(command.summary).to.not.include('\n')
      for (const paragraph of (command.description ?? '').split('\n\n'))
        expect(paragraph, JSON.stringify(paragraph)).to.not.include('\n')
      for (const [name, flag] of Object.entries(command.flags ?? {}))
        expect(flag.description ?? '', name).to.not.include('\n')
    })
  }
})

-- SPDX-License-Identifier: GPL-2.0
-- pandoc filter for the man pages made from docs/*.md (make man).
--
-- A Markdown table becomes a tbl(1) table in troff, and tbl cannot wrap a
-- wide cell at 80 columns: man --warnings then reports "table wider than
-- line width" and "can't break line".  So a table becomes what man pages
-- use instead, a list of tagged paragraphs (.TP): the first column is the
-- tag, the other columns the paragraph (each after its header when the
-- table has more than two columns).  The Markdown (and its HTML view) keeps
-- its tables.

local function inlines(blocks)
  return pandoc.utils.blocks_to_inlines(blocks, { pandoc.Space() })
end

local function empty(blocks)
  return #inlines(blocks) == 0
end

function Table(t)
  local heads = t.head.rows[1] and t.head.rows[1].cells or {}
  local items = {}
  for _, body in ipairs(t.bodies) do
    for _, row in ipairs(body.body) do
      local term = inlines(row.cells[1].contents)
      local def = {}
      for j = 2, #row.cells do
        local cell = row.cells[j].contents
        if #row.cells == 2 then
          def = cell
        elseif not empty(cell) then
          local para = {}
          if heads[j] and not empty(heads[j].contents) then
            para = inlines(heads[j].contents)
            table.insert(para, pandoc.Str(":"))
            table.insert(para, pandoc.Space())
          end
          for _, il in ipairs(inlines(cell)) do
            table.insert(para, il)
          end
          table.insert(def, pandoc.Para(para))
        end
      end
      table.insert(items, { term, { def } })
    end
  end
  return pandoc.DefinitionList(items)
end

import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');
const FOLDERS = ['infra/constructs', 'infra/stacks', 'monitoring', 'k8s/charts'];

/** Every own property of every exported `*Props` interface in the construct folders, with what is wrong with its doc. */
function propsDocProblems(): string[] {
  const problems: string[] = [];
  for (const folder of FOLDERS) {
    for (const file of fs
      .readdirSync(path.join(ROOT, folder))
      .filter((f) => f.endsWith('.ts'))
      .sort()) {
      const rel = `${folder}/${file}`;
      const source = ts.createSourceFile(rel, fs.readFileSync(path.join(ROOT, rel), 'utf8'), ts.ScriptTarget.Latest, true);
      for (const statement of source.statements) {
        if (!ts.isInterfaceDeclaration(statement) || !statement.name.text.endsWith('Props')) continue;
        if (!statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
        for (const member of statement.members) {
          if (!ts.isPropertySignature(member)) continue;
          const where = `${rel}: ${statement.name.text}.${member.name.getText(source)}`;
          const docs = ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc);
          const text = docs
            .map((d) => ts.getTextOfJSDocComment(d.comment) ?? '')
            .join('')
            .trim();
          const hasDefault = docs.some((d) => d.tags?.some((t) => t.tagName.text === 'default'));
          if (!text) problems.push(`${where} has no doc comment`);
          if (hasDefault && !member.questionToken) problems.push(`${where} is required but documents a @default`);
          if (!hasDefault && member.questionToken) problems.push(`${where} is optional but has no @default`);
        }
      }
    }
  }
  return problems;
}

test('every exported Props property has a doc comment, and a @default exactly when optional', () => {
  expect(propsDocProblems()).toEqual([]);
});

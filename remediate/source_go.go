package remediate

import (
	"bytes"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path"
	"sort"
	"strconv"
	"strings"
)

// goLiterals finds the string literals of a Go file with the names they
// are bound to.
func goLiterals(src []byte) ([]literal, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	off := func(p token.Pos) int { return fset.Position(p).Offset }
	var out []literal
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			v, err := strconv.Unquote(lit.Value)
			if err == nil {
				l := literal{start: off(lit.Pos()), end: off(lit.End()), value: v}
				goContext(&l, lit, stack, off)
				out = append(out, l)
			}
		}
		stack = append(stack, n)
		return true
	})
	return out, nil
}

// goContext fills the name a literal is bound to, and what must change
// around it (a const becomes a var).
func goContext(l *literal, lit *ast.BasicLit, stack []ast.Node, off func(token.Pos) int) {
	if len(stack) == 0 {
		return
	}
	switch p := stack[len(stack)-1].(type) {
	case *ast.ValueSpec:
		for i, v := range p.Values {
			if v == lit && i < len(p.Names) {
				l.name = p.Names[i].Name
			}
		}
		if len(stack) >= 2 {
			if gd, ok := stack[len(stack)-2].(*ast.GenDecl); ok && gd.Tok == token.CONST {
				if len(gd.Specs) != 1 {
					l.refusal = "the secret is a constant in a const group with other constants; move it to a var and re-run"
					return
				}
				l.constStart = off(gd.TokPos)
			}
		}
	case *ast.AssignStmt:
		for i, v := range p.Rhs {
			if v == lit && i < len(p.Lhs) {
				switch x := p.Lhs[i].(type) {
				case *ast.Ident:
					l.name = x.Name
				case *ast.SelectorExpr:
					l.name = x.Sel.Name
				}
			}
		}
	case *ast.KeyValueExpr:
		if p.Value == lit {
			switch k := p.Key.(type) {
			case *ast.Ident:
				l.name = k.Name
			case *ast.BasicLit:
				l.name, _ = strconv.Unquote(k.Value)
			}
		}
	case *ast.ImportSpec, *ast.Field:
		l.refusal = "the literal is an import path or a struct tag"
	case *ast.BinaryExpr:
		l.refusal = "the secret is part of an expression; rewrite it by hand"
	}
}

// goEnsureOS adds import "os" unless the file has it.
func goEnsureOS(src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, parser.ImportsOnly)
	if err != nil {
		return nil, err
	}
	nl := "\n"
	if bytes.Contains(src, []byte("\r\n")) {
		nl = "\r\n"
	}
	off := func(p token.Pos) int { return fset.Position(p).Offset }
	lineStart := func(o int) int { return bytes.LastIndexByte(src[:o], '\n') + 1 }
	for _, im := range f.Imports {
		if p, _ := strconv.Unquote(im.Path.Value); p == "os" && (im.Name == nil || im.Name.Name == "os") {
			return src, nil
		}
	}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		if !gd.Lparen.IsValid() {
			end := off(gd.End())
			return splice(src, end, end, nl+`import "os"`), nil
		}
		// Into the standard-library group, in sorted place.
		at, ind := -1, "\t"
		for _, s := range gd.Specs {
			is := s.(*ast.ImportSpec)
			p, _ := strconv.Unquote(is.Path.Value)
			ls := lineStart(off(is.Pos()))
			ind = string(src[ls:off(is.Pos())])
			if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") {
				if at < 0 {
					at = ls
				}
				break
			}
			if p > "os" {
				at = ls
				break
			}
			at = -1
		}
		if at < 0 {
			// After the last standard import (or the opening paren).
			at = off(gd.Lparen) + 1
			for _, s := range gd.Specs {
				is := s.(*ast.ImportSpec)
				p, _ := strconv.Unquote(is.Path.Value)
				if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") {
					break
				}
				at = off(is.End())
			}
			return splice(src, at, at, nl+strings.TrimLeft(ind, "\r\n")+`"os"`), nil
		}
		return splice(src, at, at, ind+`"os"`+nl), nil
	}
	end := off(f.Name.End())
	return splice(src, end, end, nl+nl+`import "os"`), nil
}

func splice(src []byte, start, end int, text string) []byte {
	out := make([]byte, 0, len(src)+len(text))
	out = append(out, src[:start]...)
	out = append(out, text...)
	return append(out, src[end:]...)
}

// goCheck parses and type-checks the file before and after; the rewrite
// may not add an error. Imports are faked (their members are unknown to
// both versions alike) except os.Getenv, so the check needs no toolchain
// and no module context.
func goCheck(p string, before, after []byte) string {
	b, err := goTypeErrors(p, before)
	if err != nil {
		return ""
	}
	a, err := goTypeErrors(p, after)
	if err != nil {
		return "the rewrite would not parse: " + err.Error()
	}
	if errs := added(b, a); len(errs) > 0 {
		return "the rewrite would not compile: " + strings.Join(errs, "; ")
	}
	return ""
}

func goTypeErrors(p string, src []byte) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path.Base(p), src, parser.AllErrors)
	if err != nil {
		return nil, err
	}
	var errs []string
	conf := types.Config{
		Importer: fakeImporter{},
		Error: func(err error) {
			var te types.Error
			if errors.As(err, &te) {
				errs = append(errs, te.Msg)
				return
			}
			errs = append(errs, err.Error())
		},
	}
	_, _ = conf.Check(f.Name.Name, fset, []*ast.File{f}, nil)
	sort.Strings(errs)
	return errs, nil
}

// fakeImporter returns an empty package for every import, plus Getenv in
// os.
type fakeImporter struct{}

func (fakeImporter) Import(p string) (*types.Package, error) {
	name := path.Base(p)
	if i := strings.LastIndexAny(name, ".-"); i >= 0 && strings.Contains(p, "/") {
		name = strings.ReplaceAll(name, "-", "_")
	}
	pkg := types.NewPackage(p, name)
	if p == "os" {
		str := types.Typ[types.String]
		sig := types.NewSignatureType(nil, nil, nil, types.NewTuple(types.NewVar(token.NoPos, pkg, "key", str)), types.NewTuple(types.NewVar(token.NoPos, pkg, "", str)), false)
		pkg.Scope().Insert(types.NewFunc(token.NoPos, pkg, "Getenv", sig))
	}
	pkg.MarkComplete()
	return pkg, nil
}

// An external test package: like any other module, it sees only what slugs
// exports. The package's own source is embedded (the go command embeds the files
// it builds) and read with go/doc, which lists the API exactly as `go doc` shows it.
package slugs_test

import (
	"embed"
	"errors"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"roadmap/core/slugs"
)

//go:embed *.go
var source embed.FS

const (
	modulePath = "roadmap/core/slugs"
	foldPath   = modulePath + "/internal/fold"
)

func TestMake(t *testing.T) {
	long := strings.Repeat("word ", 30)
	cases := []struct {
		name string
		text string
		opt  slugs.Options
		want string
		why  string
	}{
		{"accents, punctuation and spaces", "  Crème Brûlée, 2 pcs ", slugs.Options{}, "creme-brulee-2-pcs", "fold, then one separator per run of other characters, none at the ends"},
		{"separators at both ends are dropped", "--Hello, World!--", slugs.Options{}, "hello-world", "no separator at either end"},
		{"the zero Options cut at 64", long, slugs.Options{}, strings.TrimRight(strings.Repeat("word-", 13), "-"), "a MaxLength of 0 means 64: make the zero value of Options useful"},
		{"cut to MaxLength without a separator at the end", "one two three", slugs.Options{MaxLength: 8}, "one-two", "cut, then drop the separator the cut left at the end"},
		{"a slug shorter than MaxLength is kept whole", "one two", slugs.Options{MaxLength: 20}, "one-two", "cut only what is longer than MaxLength"},
		{"another separator", "Go & TypeScript", slugs.Options{Separator: "_"}, "go_typescript", "join the words with opt.Separator"},
		{"another separator, cut", "ab cd ef", slugs.Options{MaxLength: 6, Separator: "_"}, "ab_cd", "after the cut drop opt.Separator at the end, not just \"-\""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := slugs.Make(tc.text, tc.opt)
			if err != nil || got != tc.want {
				t.Errorf("Make(%q, %+v) = %q, %v; want %q, nil: %s", tc.text, tc.opt, got, err, tc.want, tc.why)
			}
		})
	}

	for _, text := range []string{"!!!", "Привет", ""} {
		t.Run(fmt.Sprintf("nothing left: ErrEmpty for %q", text), func(t *testing.T) {
			t.Parallel()
			got, err := slugs.Make(text, slugs.Options{})
			if !errors.Is(err, slugs.ErrEmpty) {
				t.Errorf("Make(%q, {}) = %q, %v; want an error for which errors.Is(err, slugs.ErrEmpty) holds: return ErrEmpty itself (or wrap it with %%w), not a new error with the same text", text, got, err)
			}
		})
	}
}

// parsed is a package read with go/doc: only what it exports, as `go doc` lists it.
type parsed struct {
	doc   *doc.Package
	files []*ast.File
}

func read(t *testing.T, importPath string, names []string, readFile func(string) ([]byte, error)) parsed {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := readFile(name)
		if err != nil {
			t.Fatalf("reading %s: %v", name, err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			t.Fatalf("parsing %s: %v", name, err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", importPath)
	}
	d, err := doc.NewFromFiles(fset, files, importPath)
	if err != nil {
		t.Fatalf("go/doc of %s: %v", importPath, err)
	}
	return parsed{d, files}
}

func readRoot(t *testing.T) parsed {
	t.Helper()
	entries, err := source.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return read(t, modulePath, names, source.ReadFile)
}

// exported lists a package's exported names: functions, types with their
// constructors and methods (as Type.Method), variables and constants.
func exported(d *doc.Package) []string {
	var names []string
	values := func(vs []*doc.Value) {
		for _, v := range vs {
			names = append(names, v.Names...)
		}
	}
	for _, f := range d.Funcs {
		names = append(names, f.Name)
	}
	values(d.Vars)
	values(d.Consts)
	for _, ty := range d.Types {
		names = append(names, ty.Name)
		for _, f := range ty.Funcs {
			names = append(names, f.Name)
		}
		for _, m := range ty.Methods {
			names = append(names, ty.Name+"."+m.Name)
		}
		values(ty.Vars)
		values(ty.Consts)
	}
	slices.Sort(names)
	return names
}

func TestPublicAPI(t *testing.T) {
	t.Run("the package has a doc comment", func(t *testing.T) {
		t.Parallel()
		root := readRoot(t)
		if !strings.HasPrefix(root.doc.Doc, "Package slugs ") {
			t.Errorf("the package doc (what `go doc %s` prints first) is %q, want a sentence that starts with \"Package slugs \": write it as a comment right above `package slugs` in one file, with no blank line between them (a blank line detaches it)", modulePath, root.doc.Doc)
		}
	})

	t.Run("it exports Make, Options and ErrEmpty, nothing else", func(t *testing.T) {
		t.Parallel()
		got := exported(readRoot(t).doc)
		want := []string{"ErrEmpty", "Make", "Options"}
		if !slices.Equal(got, want) {
			extra := slices.DeleteFunc(slices.Clone(got), func(n string) bool { return slices.Contains(want, n) })
			t.Errorf("package slugs exports %q, want exactly %q: every exported name is a promise to every module that imports yours; move %q to internal/fold or unexport it", got, want, extra)
		}
	})

	t.Run("the helpers live in the internal package fold", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join("internal", "fold")
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatalf("no folder %s: create package fold there and move Fold and Collapse into it (%v)", dir, err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		fold := read(t, foldPath, names, func(n string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, n)) })
		if fold.doc.Name != "fold" {
			t.Errorf("the package in %s is named %q, want fold: name a package after the last element of its import path", dir, fold.doc.Name)
		}
		funcs := exported(fold.doc)
		for _, want := range []string{"Collapse", "Fold"} {
			if !slices.Contains(funcs, want) {
				t.Errorf("package fold exports %q, want Fold and Collapse among them: package slugs is another package and sees only exported names", funcs)
				break
			}
		}
		imports := false
		for _, f := range readRoot(t).files {
			for _, im := range f.Imports {
				imports = imports || im.Path.Value == `"`+foldPath+`"`
			}
		}
		if !imports {
			t.Errorf("package slugs does not import %q: use the helpers from there instead of copies of them", foldPath)
		}
	})
}

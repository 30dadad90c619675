// Command sdkgen generates this package's SDKs from schema/schema.json with the code generators of
// github.com/pulumi/pulumi/pkg/v3, the ones the Pulumi language hosts call from their
// GeneratePackage RPC (`pulumi package gen-sdk`). The language hosts themselves are separate Go
// modules that the Go module proxy does not serve, so `pulumi package gen-sdk` cannot run here
// (schema/README.md); this program does what each host does: bind the schema, call the language's
// GeneratePackage with the host's own tool name, and write the files. Run it through
// `npm run gen-sdk` (scripts/gen-sdk.ts), which also writes sdk/MANIFEST.sha256.
//
// Usage: go run . <schema.json> <out dir> [language...]
//
// Each language's directory (<out>/nodejs, <out>/python, <out>/go) is removed and written anew, as
// `pulumi package gen-sdk` does. C# and Java are not here: pkg/v3 has no generator for either
// (they live in the pulumi-dotnet and pulumi-java repositories, whose modules the proxy refuses).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	nodejsgen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	pythongen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// noLoader refuses every package reference: the schema refers to no other package, and a
// reference to one is an error here rather than a download.
type noLoader struct{}

var errNoReferences = errors.New("schema/schema.json may not refer to other packages")

func (noLoader) LoadPackage(string, *semver.Version) (*schema.Package, error) {
	return nil, errNoReferences
}

func (noLoader) LoadPackageV2(context.Context, *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, errNoReferences
}

func (noLoader) LoadPackageReference(string, *semver.Version) (schema.PackageReference, error) {
	return nil, errNoReferences
}

func (noLoader) LoadPackageReferenceV2(
	context.Context, *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, errNoReferences
}

// generators: each language's GeneratePackage, called as its language host calls it.
var generators = map[string]func(pkg *schema.Package, loader schema.ReferenceLoader) (map[string][]byte, error){
	"nodejs": func(pkg *schema.Package, loader schema.ReferenceLoader) (map[string][]byte, error) {
		return nodejsgen.GeneratePackage("pulumi-language-nodejs", pkg, map[string][]byte{}, nil, false, loader)
	},
	"python": func(pkg *schema.Package, loader schema.ReferenceLoader) (map[string][]byte, error) {
		return pythongen.GeneratePackage("pulumi-language-python", pkg, map[string][]byte{}, loader)
	},
	"go": func(pkg *schema.Package, _ schema.ReferenceLoader) (map[string][]byte, error) {
		return gogen.GeneratePackage("pulumi-language-go", pkg, nil)
	},
}

// bind validates the schema against the metaschema and binds it, as the language hosts do. Each
// language gets a package of its own: GeneratePackage writes its language info into the package.
func bind(raw []byte) (*schema.Package, error) {
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	pkg, diags, err := schema.BindSpec(spec, noLoader{}, schema.ValidationOptions{})
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	for _, d := range diags {
		fmt.Fprintf(os.Stderr, "schema: %s\n", d.Error())
	}
	if diags.HasErrors() {
		return nil, errors.New("schema: the schema does not bind (above)")
	}
	return pkg, nil
}

func write(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

func run(args []string) error {
	if len(args) < 2 {
		return errors.New("usage: sdkgen <schema.json> <out dir> [nodejs|python|go ...]")
	}
	raw, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	languages := args[2:]
	if len(languages) == 0 {
		languages = []string{"nodejs", "python", "go"}
	}
	for _, language := range languages {
		generate, ok := generators[language]
		if !ok {
			return fmt.Errorf("no generator for %q in pkg/v3: nodejs, python and go only", language)
		}
		pkg, err := bind(raw)
		if err != nil {
			return err
		}
		files, err := generate(pkg, noLoader{})
		if err != nil {
			return fmt.Errorf("%s: %w", language, err)
		}
		dir := filepath.Join(args[1], language)
		if err := write(dir, files); err != nil {
			return fmt.Errorf("%s: %w", language, err)
		}
		fmt.Printf("%s: %d files in %s\n", language, len(files), dir)
	}
	return nil
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sdkgen:", err)
		os.Exit(1)
	}
}

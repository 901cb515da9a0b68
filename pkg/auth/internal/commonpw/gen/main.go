// Command gen writes the common password list to the file given by -o
// (go generate ./pkg/auth).
package main

import (
	"flag"
	"log"
	"os"
	"strings"

	"github.com/inviter/inviter/pkg/auth/internal/commonpw"
)

func main() {
	out := flag.String("o", "common_passwords.txt", "output file")
	flag.Parse()
	if err := os.WriteFile(*out, []byte(strings.Join(commonpw.Generate(), "\n")+"\n"), 0o644); err != nil {
		log.Fatal(err)
	}
}

module github.com/b2bauth/stytch-b2b-go/tools/mutation

go 1.26

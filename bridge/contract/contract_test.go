package contract_test

import (
	"encoding/xml"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/contract"
	"github.com/thereforebridge/thereforebridge/generated"
)

func TestOperations(t *testing.T) {
	ops := contract.Operations()
	if len(ops) != 2 {
		t.Fatalf("%d operations, want 2", len(ops))
	}
	for _, tt := range []struct {
		name    string
		request any
	}{
		{contract.SaveOutOfOfficeInfoForUser, &generated.SaveOutOfOfficeInfoForUser{}},
		{contract.SavePortalUser, &generated.SavePortalUser{}},
	} {
		base := contract.MessagesNS + "/IThereforeService/" + tt.name
		op := ops.ByAction(base)
		if op == nil || op.Name != tt.name {
			t.Fatalf("no operation %s for action %s: %+v", tt.name, base, op)
		}
		if op.Action != base || op.ReplyAction != base+"Response" {
			t.Errorf("%s: actions %q, %q", tt.name, op.Action, op.ReplyAction)
		}
		if want := (xml.Name{Space: contract.MessagesNS, Local: tt.name}); op.Request != want {
			t.Errorf("%s: request element %v, want %v", tt.name, op.Request, want)
		}
		if want := (xml.Name{Space: contract.MessagesNS, Local: tt.name + "Response"}); op.Response != want {
			t.Errorf("%s: response element %v, want %v", tt.name, op.Response, want)
		}
		if want := (xml.Name{Space: contract.MessagesNS, Local: tt.name + "Result"}); op.Result != want || op.ResultTypes != contract.TypesNS {
			t.Errorf("%s: result %v in %s, want %v in %s", tt.name, op.Result, op.ResultTypes, want, contract.TypesNS)
		}
		a, b := op.New(), op.New()
		if a == b {
			t.Errorf("%s: New returns the same value twice", tt.name)
		}
		if contract.Params(a) != nil {
			t.Errorf("%s: Params of an empty request is not nil", tt.name)
		}
	}
}

func TestParams(t *testing.T) {
	oof := &generated.SaveOutOfOfficeInfoForUserParams{}
	portal := &generated.SavePortalUserParams{}
	if got := contract.Params(&generated.SaveOutOfOfficeInfoForUser{Parameters: oof}); got != oof {
		t.Errorf("Params(OOF) = %v", got)
	}
	if got := contract.Params(&generated.SavePortalUser{Parameters: portal}); got != portal {
		t.Errorf("Params(SavePortalUser) = %v", got)
	}
	if got := contract.Params("other"); got != nil {
		t.Errorf("Params(other) = %v", got)
	}
}

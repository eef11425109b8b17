package workload_test

import (
	"fmt"
	"log"

	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
)

func ExampleNewWebService() {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: "shop"})

	web := workload.NewWebService(chart, "storefront", workload.WebServiceProps{
		// Instance is the Service's DNS name: storefront.shop.svc.
		Identity: workload.Identity{Instance: "storefront", PartOf: "shop"},
		Pod: workload.Pod{Containers: []workload.Container{{
			Image:     "registry.example.com/shop/storefront:2.3.1",
			Ports:     []workload.Port{{Name: "http", Number: 8080, ServicePort: 80}},
			Resources: workload.Resources{CPU: "250m", Memory: "256Mi", MemoryLimit: "256Mi"},
			Readiness: workload.HTTPProbe("/ready", "http"),
			Mounts:    []workload.Mount{{Path: "/tmp", EmptyDir: &workload.EmptyDir{Name: "tmp"}}},
		}}},
		Ingress:          &workload.Ingress{Host: "shop.example.com", TLSSecret: "shop-example-com-tls"},
		Autoscaling:      &workload.Autoscaling{MinReplicas: 2, MaxReplicas: 10, CPUUtilization: 70},
		DisruptionBudget: &workload.DisruptionBudget{MaxUnavailable: "1"},
	})
	// Anything the props do not cover is a field away.
	web.PodTemplate().Spec.PriorityClassName = "shop-critical"

	out, err := app.Render()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(out.Documents), "objects")
	// Output: 5 objects
}

func ExampleNewConfigMap() {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: "shop"})

	config := workload.NewConfigMap(chart, "config", workload.ConfigMapProps{
		Data: map[string]string{"LOG_LEVEL": "info"},
	})
	workload.NewWorker(chart, "mailer", workload.WorkerProps{
		Pod: workload.Pod{Containers: []workload.Container{{
			Image:     "registry.example.com/shop/mailer:1.0.0",
			Resources: workload.Resources{CPU: "50m", Memory: "64Mi"},
			EnvFrom:   []workload.Ref{config.Ref()},
			Env: []workload.EnvVar{
				{Name: "SMTP_PASSWORD", From: workload.SecretRef("smtp").Key("password")},
			},
		}}},
	})
	// Changed after the worker was made: the worker's config hash follows.
	config.AddData("FROM", "shop@example.com")

	if _, err := app.Render(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(config.Hash()))
	// Output: 64
}

func ExampleServiceAccount_Grant() {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "ops", constructs.ChartProps{Namespace: "ops"})

	account := workload.NewServiceAccount(chart, "reloader", workload.ServiceAccountProps{Identity: workload.Identity{Instance: "reloader"}})
	account.Grant(rbacv1.PolicyRule{
		APIGroups: []string{"apps"},
		Resources: []string{"deployments"},
		Verbs:     []string{"get", "list", "patch"},
	})
	// Granted, so the pods get the API token.
	workload.NewWorker(chart, "controller", workload.WorkerProps{Pod: workload.Pod{
		ServiceAccount: account,
		Containers: []workload.Container{{
			Image:     "registry.example.com/ops/reloader:0.9.0",
			Resources: workload.Resources{CPU: "10m", Memory: "32Mi"},
		}},
	}})
	out, err := app.SynthYAML()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(out) > 0)
	// Output: true
}

func ExampleNewAllowIngress() {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: "shop"})
	pod := func(image string) workload.Pod {
		return workload.Pod{Containers: []workload.Container{{
			Image:     image,
			Ports:     []workload.Port{{Name: "http", Number: 8080}},
			Resources: workload.Resources{CPU: "100m", Memory: "128Mi"},
		}}}
	}
	api := workload.NewWebService(chart, "api", workload.WebServiceProps{Pod: pod("registry.example.com/shop/api:1")})
	web := workload.NewWebService(chart, "web", workload.WebServiceProps{Pod: pod("registry.example.com/shop/web:1")})

	workload.NewDefaultDeny(chart, "deny-ingress", workload.DefaultDenyProps{
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
	})
	workload.NewAllowIngress(chart, "web-to-api", workload.AllowIngressProps{
		To:    api,
		From:  []workload.Peer{workload.FromWorkload(web)},
		Ports: []string{"http"},
	})
	workload.NewAllowIngress(chart, "ingress-to-web", workload.AllowIngressProps{
		To:   web,
		From: []workload.Peer{workload.FromNamespace("ingress-nginx")},
	})
	out, err := app.Render()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(out.Documents), "objects")
	// Output: 7 objects
}
